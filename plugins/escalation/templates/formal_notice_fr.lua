return [[
LETTRE RECOMMANDÉE AVEC ACCUSÉ DE RÉCEPTION

Objet : mise en demeure de payer — dossier n° {{case_id}}

À l'attention de {{customer_name}},

Malgré nos échanges depuis le {{opened_on}} ({{attempts}} tentative(s) de règlement amiable, la dernière
le {{last_attempt_on}}), les factures suivantes restent impayées :

{{invoice_lines}}
Montant restant dû : {{outstanding}}.

Par la présente, nous vous mettons en demeure de régler cette somme au plus tard le {{pay_by}}.
À défaut, nous saisirons la juridiction compétente sans autre avis.

Le service juridique
]]
