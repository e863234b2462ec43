"""Interoperability checks against independent JavaScript implementations (Node.js)."""
