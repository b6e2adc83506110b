// A small flow to deploy: the model card tests' logistic regression over a numeric `x` and a one-hot
// `group` (test/model/card-project.ts), trained from a SQL step's table with a train/test split, so a
// baseline bins the training rows from the table's Parquet and the predictions from the model sample.
import { cardProjectFiles, flowText } from '../model/card-project';

// The card tests' flow with a SQL step in front of training (the card section is harmless here).
const FLOW = flowText('')
  .replace('flow: card-test', 'flow: deploy-test')
  .replace('steps:\n', 'steps:\n  points:\n    sql: sql/points.sql\n    materialize: table\n')
  .replace('    deps: [steps/train.mjs]', '    inputs: [points]\n    deps: [steps/train.mjs]');

// Every fifth point is a test row: the baseline must bin only the other 320.
const SQL = `SELECT x, "group", label, CASE WHEN (row_number() OVER ()) % 5 = 0 THEN 'test' ELSE 'train' END AS split
FROM {{ source('raw', 'points') }}
`;

export function deployProjectFiles(): Record<string, string> {
  const card = cardProjectFiles();
  return {
    'deploy-test.flow.yaml': FLOW,
    'sql/points.sql': SQL,
    'data/points.csv': card['data/points.csv']!,
    'steps/train.mjs': card['steps/train.mjs']!,
    'steps/evaluate.mjs': card['steps/evaluate.mjs']!,
  };
}
