"""The vehicle dynamics assessment in the app: per space and vehicle class, city-wide speeds, jobs."""
