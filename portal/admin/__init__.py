"""The back office's administration: staff accounts, settings, organisation, root-cause themes and message wording."""
