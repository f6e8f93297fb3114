"""Public spaces: squares, pedestrian streets, markets, promenades… with their polygons and crowds."""
