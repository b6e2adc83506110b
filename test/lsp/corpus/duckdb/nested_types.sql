SELECT
    [1, 2, 3] AS list,
    [x * 2 FOR x IN [1, 2, 3] IF x > 1] AS comprehension,
    {'name': 'duck', 'legs': 2} AS struct_literal,
    MAP {'a': 1, 'b': 2} AS map_literal,
    list_transform([1, 2, 3], x -> x + 1) AS lambda,
    ([1, 2, 3])[2] AS element,
    ([1, 2, 3, 4])[2:3] AS slice,
    {'a': 1}.a AS field,
    struct_pack(k := 1, v := 'x') AS packed,
    unnest([1, 2]) AS unnested,
    'duck'::VARCHAR[] IS NULL AS cast_check;
