-- Übersicht der Verspätungen — 航班延误 ✈️ 🛫
SELECT
    'Zürich 🏔️' AS city,
    "größe" AS size,
    '𝔘𝔫𝔦𝔠𝔬𝔡𝔢' AS fancy,
    length('🦆🦆') AS two_ducks
FROM "tabelle_mit_ümlaut";
