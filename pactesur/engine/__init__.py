"""Pure computation for PACTESUR: OSM street networks, vehicle dynamics, spaces. Never imports Django."""
