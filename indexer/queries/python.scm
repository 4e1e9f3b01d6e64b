; docgen symbol query for Python.
; Capture names are the contract with indexer/parser.py, which reads only their prefixes:
;   definition.<kind>        the definition node (kind: module, class, function, method, scope)
;   name.definition.<kind>   its name
;   outer                    a wrapper whose span includes decorators / export keywords
;   body, parameters, returns, decorator, async
;   receiver                 the type a method belongs to when it is declared outside it (Go)
;   doc                      a docstring candidate inside the definition (indexer/_python.py
;                            decides with Python's rule: str literals, concatenated or not)
;   doc.comment              a comment that documents the definition that follows it
;   name.reference.call      a called name;  name.reference.raise  a raised exception
;   reference.return         a return with a value;  reference.yield  a yield
;   import                   an import statement (resolved by language-specific code)

(module) @definition.module
(module . (comment)* . (expression_statement . [(string) (concatenated_string) (parenthesized_expression)] @doc .)) @definition.module

(class_definition
  name: (identifier) @name.definition.class
  body: (block) @body) @definition.class
(class_definition
  body: (block . (comment)* . (expression_statement . [(string) (concatenated_string) (parenthesized_expression)] @doc .))) @definition.class

(function_definition
  name: (identifier) @name.definition.function
  parameters: (parameters) @parameters
  body: (block) @body) @definition.function
(function_definition
  "async" @async) @definition.function
(function_definition
  return_type: (_) @returns) @definition.function
(function_definition
  body: (block . (comment)* . (expression_statement . [(string) (concatenated_string) (parenthesized_expression)] @doc .))) @definition.function

; decorators are read from the decorated_definition by indexer/_python.py: a pattern over
; its (decorator) children matched in quadratic time (2,000 decorators: minutes)
(decorated_definition
  definition: (class_definition) @definition.class) @outer
(decorated_definition
  definition: (function_definition) @definition.function) @outer

(call function: (_) @name.reference.call)
(raise_statement . (call function: (_) @name.reference.raise))
(raise_statement . [(identifier) (attribute)] @name.reference.raise)
((return_statement (_) @reference.return)
  (#not-eq? @reference.return "None"))
(yield) @reference.yield

(import_statement) @import
(import_from_statement) @import
