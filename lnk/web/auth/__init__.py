"""Sign-in pages: register, log in, log out, and the cookie session behind them."""
