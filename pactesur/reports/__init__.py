"""The reports app: the city's local protection plan and the investment plan as restricted PDFs."""
