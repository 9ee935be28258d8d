"""One module per ledger: each declares its fields once (see models.ledger.fields).

Every module here is loaded by ``models.ledger.registry``; adding a ledger is
adding a module.
"""
