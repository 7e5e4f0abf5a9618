"""The agency's figures: yearly activity against its targets, classified meublés, labels, deadlines (Qt-free)."""
