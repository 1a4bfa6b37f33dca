"""Push ingest: PBXes (or middleware) POST their events here; the token in the URL is the key."""
