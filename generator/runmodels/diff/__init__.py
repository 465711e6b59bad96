"""Comparing generated APIs: the API record, breaking-change reports and the changelog."""
