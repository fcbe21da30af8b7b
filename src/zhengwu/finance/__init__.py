"""Pledge loans on valued patents and their securitization: plans, the cash-flow waterfall and its simulation."""
