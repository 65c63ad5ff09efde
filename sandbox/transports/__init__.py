"""Transports carry records between streamlets: in memory now, a broker later."""
