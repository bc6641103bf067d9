"""Models, their versions and their lifecycle."""
