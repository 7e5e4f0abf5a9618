"""Scoring engines: meublés (lines a–h) and labels (T&H, Accueil Vélo, Chambre d'hôtes Référence)."""
