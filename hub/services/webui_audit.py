"""Kept for the console's services written before hub.services.audit: the same audit_record."""
from hub.services.audit import audit_record, changes_between

__all__ = ["audit_record", "changes_between"]
