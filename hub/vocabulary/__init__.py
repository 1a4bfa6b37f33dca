"""Plain-data vocabulary shared by adapters and services; imports nothing from Django."""
