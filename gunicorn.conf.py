# Read by gunicorn from the directory it starts in (this one, and /app in the image).
# Credentials are masked in the access and error logs: a push URL carries its PBX's ingest token.
logger_class = "hub.log_redaction.GunicornLogger"
