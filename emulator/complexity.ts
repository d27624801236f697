/**
 * Query complexity as Pipefy documents it: 1 per selected field, and the
 * fields inside a connection multiplied by its `first` argument, or by 50
 * when `first` is absent. The requested `first` counts even above 50,
 * although a page never contains more than 50 items.
 */
import {
  getNamedType,
  GraphQLObjectType,
  isInterfaceType,
  isObjectType,
  Kind,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { MAX_PAGE_SIZE } from './paging';

export const DEFAULT_MAX_COMPLEXITY = 50_000;

function argumentNumber(value: ValueNode | undefined, variables: Record<string, unknown>): number | undefined {
  if (!value) return undefined;
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const variable = variables[value.name.value];
    return typeof variable === 'number' ? variable : undefined;
  }
  return undefined;
}

/** Returns the complexity of one operation with its variables. */
export function queryComplexity(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  const rootType = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!rootType) return 0;

  const visit = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += 1;
        if (!selection.selectionSet) continue;
        const fields = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields() : {};
        const fieldType = fields[selection.name.value] ? getNamedType(fields[selection.name.value].type) : undefined;
        if (!fieldType || !('getFields' in fieldType || 'getTypes' in fieldType)) continue;
        const isConnection = fieldType instanceof GraphQLObjectType && fieldType.name.endsWith('Connection');
        const first = argumentNumber(selection.arguments?.find((argument) => argument.name.value === 'first')?.value, variables);
        const multiplier = isConnection ? Math.max(0, first ?? MAX_PAGE_SIZE) : 1;
        total += multiplier * visit(selection.selectionSet, fieldType as GraphQLCompositeType);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const conditionType = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
        total += visit(selection.selectionSet, (conditionType ?? parentType) as GraphQLCompositeType);
      } else {
        const fragment = fragments[selection.name.value];
        if (!fragment) continue;
        const conditionType = schema.getType(fragment.typeCondition.name.value);
        total += visit(fragment.selectionSet, (conditionType ?? parentType) as GraphQLCompositeType);
      }
    }
    return total;
  };

  return visit(operation.selectionSet, rootType);
}
