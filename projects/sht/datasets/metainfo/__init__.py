"""Keypoint metainfo files (mmpose format) of datasets mmpose does not
ship; loaded with ``dict(from_file=...)`` by absolute path."""
