; docgen symbol query for TypeScript and TSX (capture names: see python.scm).

((comment) @doc.comment
  (#match? @doc.comment "^/\\*\\*"))

(class_declaration
  name: (_) @name.definition.class
  body: (class_body) @body) @definition.class
(abstract_class_declaration
  name: (_) @name.definition.class
  body: (class_body) @body) @definition.class
(interface_declaration
  name: (_) @name.definition.class
  body: (_) @body) @definition.class
(enum_declaration
  name: (_) @name.definition.class
  body: (_) @body) @definition.class
(export_statement
  declaration: [
    (class_declaration) (abstract_class_declaration) (interface_declaration) (enum_declaration)
  ] @definition.class) @outer

(function_declaration
  name: (identifier) @name.definition.function
  parameters: (formal_parameters) @parameters
  body: (statement_block) @body) @definition.function
(function_declaration return_type: (_) @returns) @definition.function
(function_declaration "async" @async) @definition.function
(export_statement
  declaration: (function_declaration) @definition.function) @outer

(method_definition
  name: (_) @name.definition.function
  parameters: (formal_parameters) @parameters
  body: (statement_block) @body) @definition.function
(method_definition return_type: (_) @returns) @definition.function
(method_definition "async" @async) @definition.function
(method_signature
  name: (_) @name.definition.function
  parameters: (formal_parameters) @parameters) @definition.function
(method_signature return_type: (_) @returns) @definition.function
(abstract_method_signature
  name: (_) @name.definition.function
  parameters: (formal_parameters) @parameters) @definition.function

(lexical_declaration
  (variable_declarator
    name: (identifier) @name.definition.function
    value: [
      (arrow_function parameters: (_) @parameters body: (_) @body)
      (function_expression parameters: (_) @parameters body: (_) @body)
    ])) @definition.function
(lexical_declaration
  (variable_declarator value: (arrow_function return_type: (_) @returns))) @definition.function
(lexical_declaration
  (variable_declarator value: (arrow_function "async" @async))) @definition.function
(export_statement
  declaration: (lexical_declaration
    (variable_declarator value: [(arrow_function) (function_expression)])) @definition.function) @outer

(public_field_definition
  name: (_) @name.definition.function
  value: [
    (arrow_function parameters: (_) @parameters body: (_) @body)
    (function_expression parameters: (_) @parameters body: (_) @body)
  ]) @definition.function
(public_field_definition
  value: (arrow_function return_type: (_) @returns)) @definition.function

(call_expression function: (_) @name.reference.call)
(new_expression constructor: (_) @name.reference.call)
(throw_statement (new_expression constructor: (_) @name.reference.raise))
(return_statement (_) @reference.return)
(yield_expression) @reference.yield
