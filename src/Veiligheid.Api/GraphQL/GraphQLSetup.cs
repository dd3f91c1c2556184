using GraphQL;
using GraphQL.Execution;
using GraphQL.SystemTextJson;
using GraphQL.Validation;
using GraphQLParser.AST;

namespace Veiligheid.GraphQL;

/// <summary>The one place the GraphQL machinery is assembled; the host and every test call this.</summary>
public static class GraphQLSetup
{
    public static IServiceCollection AddVeiligheidGraphQL(this IServiceCollection services)
    {
        services.AddSingleton<SchemaRegistry>();
        services.AddSingleton<IGraphQLTextSerializer, GraphQLSerializer>();
        services.AddSingleton<IDocumentExecuter>(_ => new DocumentExecuter(
            new GraphQLDocumentBuilder(),
            new DocumentValidator(),
            // Resolvers share the request's DbContext, which is not thread-safe: fields run one after another,
            // and batch loaders keep the statement count per level constant.
            new DefaultExecutionStrategySelector(
            [
                new ExecutionStrategyRegistration(new SerialExecutionStrategy(), OperationType.Query),
                new ExecutionStrategyRegistration(new SerialExecutionStrategy(), OperationType.Mutation),
            ]),
            []));
        services.AddScoped<GraphQLRequestExecutor>();
        return services;
    }
}
