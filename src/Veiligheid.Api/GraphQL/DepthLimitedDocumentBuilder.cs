using GraphQL;
using GraphQL.Execution;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;

namespace Veiligheid.GraphQL;

/// <summary>
/// GraphQL.NET's parser with a nesting limit (<see cref="GraphQLLimits.MaxParserDepth"/>). Beyond it the parser throws
/// an exception GraphQL.NET treats as internal; here it becomes the client's error, DOCUMENT_TOO_DEEP.
/// </summary>
public sealed class DepthLimitedDocumentBuilder(int maxDepth) : IDocumentBuilder
{
    private readonly GraphQLDocumentBuilder _inner = new() { MaxDepth = maxDepth };

    public GraphQLDocument Build(string body)
    {
        try
        {
            return _inner.Build(body);
        }
        catch (GraphQLMaxDepthExceededException)
        {
            throw new ExecutionError($"The document nests more than {maxDepth} levels (selections, values and arguments together).")
            {
                Code = LimitErrorCodes.DocumentTooDeep,
            };
        }
    }
}
