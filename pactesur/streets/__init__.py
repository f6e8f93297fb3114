"""A city's street networks: OSM imports as background jobs, versions, and the base map."""
