"""Date and number formats of our own for a language, where Django's do not suit European readers.

`FORMAT_MODULE_PATH` points here; a language without a folder keeps Django's formats (French,
Italian, German and Spanish already write dates the European way).
"""
