"""Events: temporary uses of a space with dates and expected attendance."""
