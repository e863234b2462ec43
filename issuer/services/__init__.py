"""Business operations of the district service. Each takes a SQLAlchemy session."""
