"""Every query and every change of state lives here, as verb-first functions."""
