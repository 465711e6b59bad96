"""Checking captured payloads (HAR, JSON lines) against the generated models."""
