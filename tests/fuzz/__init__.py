"""Property tests on every input boundary: hostile files and API bodies, zero server errors,
zero partial writes, every error naming what and where."""
