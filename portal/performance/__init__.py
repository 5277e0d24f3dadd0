"""The public performance figures: the page, and the same figures as open data."""
