"""An example user project: orders parsed, deduplicated, watched for bursts."""
