# The entry docs/tasks/break-glass.md shows, appended to Pulumi.dev.yaml: assistant may use stripe for 12 hours.
$a\
  mesh-egress:breakGlass:\
    - id: ledger-for-assistant\
      reason: partner ledger needed before its promotion\
      ticket: CHG-812\
      approvedBy: data-owner@example.com\
      expiresAt: "2026-11-30T18:00:00Z"\
      scope: { grant: { tenant: assistant, service: stripe } }
