"""The Flask JSON API: Wikimedia-compatible routes, wikiviews' extensions, docs and health."""
