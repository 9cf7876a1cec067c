// Query cost, following the weights Monday staff published: scalar 1, object 10, mutation 30,000 (configurable),
// lists multiplied by their `limit` (or the number of `ids`), and fields inside `subitems` multiplied by 1,000.
// Monday's exact formula is not public; this keeps the same order of magnitude so budgets bite the same way.
// Reads: Monday's rate-limit page (https://developer.monday.com/api-reference/docs/rate-limits, "Calculating
// complexity") says a query's cost grows with the objects it may return, so items_page / next_items_page cost
// their `limit` (up to 500 per page, https://developer.monday.com/api-reference/docs/querying-board-items) times
// the fields asked per item, and column_values(ids: [...]) only the columns named: reading few columns is cheap.
import {
  getNamedType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  Kind,
  valueFromASTUntyped,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

const SCALAR = 1;
const OBJECT = 10;
const SUBITEMS_FACTOR = 1000;

export function queryComplexity(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  mutationCost: number,
): number {
  const isMutation = operation.operation === 'mutation';
  const rootType = isMutation ? schema.getMutationType() : schema.getQueryType();
  if (!rootType) return 0;

  const argValue = (node: FieldNode, name: string): unknown => {
    const arg = node.arguments?.find((a) => a.name.value === name);
    return arg ? valueFromASTUntyped(arg.value, variables) : undefined;
  };

  const cost = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType, atRoot: boolean): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT || selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
        if (!fragment) continue;
        const typeName = fragment.typeCondition?.name.value;
        const type = typeName ? schema.getType(typeName) : parent;
        if (type && isCompositeType(type)) total += cost(fragment.selectionSet, type, atRoot);
        continue;
      }
      if (selection.name.value === '__typename') continue;
      const fields = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields() : {};
      const field = fields[selection.name.value];
      if (!field) continue;
      const type = getNamedType(field.type);
      // A mutation costs mutationCost in place of the object weight (Monday: create_item { id } = 30,001).
      const isMutationField = atRoot && isMutation && field.name !== 'complexity';
      if (!selection.selectionSet || !isCompositeType(type)) {
        total += isMutationField ? mutationCost : SCALAR;
        continue;
      }
      const limit = argValue(selection, 'limit') ?? field.args.find((a) => a.name === 'limit')?.defaultValue;
      const ids = argValue(selection, 'ids');
      let times = Array.isArray(ids) ? Math.max(ids.length, 1) : typeof limit === 'number' ? limit : 1;
      if (field.name === 'subitems') times = SUBITEMS_FACTOR;
      total += (isMutationField ? mutationCost : OBJECT) + times * cost(selection.selectionSet, type, false);
    }
    return total;
  };

  return cost(operation.selectionSet, rootType, true);
}
