"""Pages of the knowledge base: the legal corpus (`laws`), published items (`items`) and the staff pages (`manage`)."""
