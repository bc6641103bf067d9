"""The plugin platform: driver interfaces, hook specifications and their loading."""
