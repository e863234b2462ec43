"""The district service: issuers, keys, achievements, issuance and publishing."""
