package graph

import "github.com/vektah/gqlparser/v2/ast"

// fieldArgument returns one argument of f as ast.Field.ArgumentMap would
// hold it (a variable's value, else the literal, else the schema's
// default), without building the map of all of them: the checks that run
// on every request (limits, admission) read one or two arguments of a
// field that has a dozen.
func fieldArgument(f *ast.Field, name string, vars map[string]any) (any, bool) {
	if f == nil || f.Definition == nil {
		return nil, false
	}
	def := f.Definition.Arguments.ForName(name)
	if def == nil {
		return nil, false
	}
	if a := f.Arguments.ForName(name); a != nil {
		if a.Value.Kind == ast.Variable {
			if v, ok := vars[a.Value.Raw]; ok {
				return v, true
			}
		} else if v, err := a.Value.Value(vars); err == nil {
			return v, true
		}
	}
	if def.DefaultValue != nil {
		if v, err := def.DefaultValue.Value(vars); err == nil {
			return v, true
		}
	}
	return nil, false
}
