; docgen symbol query for JavaScript (capture names: see python.scm).

((comment) @doc.comment
  (#match? @doc.comment "^/\\*\\*"))

(class_declaration
  name: (_) @name.definition.class
  body: (class_body) @body) @definition.class
(export_statement
  declaration: (class_declaration) @definition.class) @outer

(function_declaration
  name: (identifier) @name.definition.function
  parameters: (formal_parameters) @parameters
  body: (statement_block) @body) @definition.function
(generator_function_declaration
  name: (identifier) @name.definition.function
  parameters: (formal_parameters) @parameters
  body: (statement_block) @body) @definition.function
(function_declaration "async" @async) @definition.function
(export_statement
  declaration: [(function_declaration) (generator_function_declaration)] @definition.function) @outer

(method_definition
  name: (_) @name.definition.function
  parameters: (formal_parameters) @parameters
  body: (statement_block) @body) @definition.function
(method_definition "async" @async) @definition.function

(lexical_declaration
  (variable_declarator
    name: (identifier) @name.definition.function
    value: [
      (arrow_function parameters: (_) @parameters body: (_) @body)
      (function_expression parameters: (_) @parameters body: (_) @body)
    ])) @definition.function
(lexical_declaration
  (variable_declarator value: (arrow_function "async" @async))) @definition.function
(export_statement
  declaration: (lexical_declaration
    (variable_declarator value: [(arrow_function) (function_expression)])) @definition.function) @outer

(field_definition
  property: (_) @name.definition.function
  value: [
    (arrow_function parameters: (_) @parameters body: (_) @body)
    (function_expression parameters: (_) @parameters body: (_) @body)
  ]) @definition.function

(call_expression function: (_) @name.reference.call)
(new_expression constructor: (_) @name.reference.call)
(throw_statement (new_expression constructor: (_) @name.reference.raise))
(return_statement (_) @reference.return)
(yield_expression) @reference.yield
