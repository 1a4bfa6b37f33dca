"""Routes; filled in by the click-to-call work."""
urlpatterns: list = []
