"""The verification service: intake, SSRF-safe resolvers, reports for people and machines."""
