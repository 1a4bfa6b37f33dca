"""Services: the only code that writes the database, opens transactions or enqueues tasks."""
