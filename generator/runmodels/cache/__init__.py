"""The caches: the run memo and the module store, HMAC-signed on disk."""
