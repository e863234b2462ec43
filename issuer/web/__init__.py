"""Blueprints of the district service: public pages and documents, the JSON API."""
