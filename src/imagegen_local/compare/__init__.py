"""`imagegen compare`: models and judges compared on the user's prompts (results, statistics)."""
