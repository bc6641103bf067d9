"""Transport-neutral operations that every frontend calls."""
