"""Geography without dependencies: cycle itineraries read from GeoJSON or GPX, nearest distance to a point."""
