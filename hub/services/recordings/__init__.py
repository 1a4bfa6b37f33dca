"""Recordings and voicemail: storage, signed links, collection, release of their webhooks,
retention (docs/recordings.md)."""
