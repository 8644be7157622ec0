# The change docs/tasks/add-a-destination.md walks through, applied to Pulumi.dev.yaml:
# declare exchange-rates after the last service, and grant it to settlement.
/^  mesh-egress:tenants:/i\
    - name: exchange-rates\
      description: ECB reference rates for settlement's FX conversion.\
      hosts: [api.frankfurter.app]\
      mode: originate
s/allow: \[clearing-partner, legacy-fx-rates\]/allow: [clearing-partner, legacy-fx-rates, exchange-rates]/
