using GraphQL;
using GraphQL.Execution;
using GraphQL.SystemTextJson;
using GraphQL.Validation;
using GraphQLParser.AST;
using Microsoft.Extensions.Options;

namespace Veiligheid.GraphQL;

/// <summary>The one place the GraphQL machinery is assembled; the host and every test call this.</summary>
public static class GraphQLSetup
{
    public static IServiceCollection AddVeiligheidGraphQL(this IServiceCollection services)
    {
        services.AddSingleton<SchemaRegistry>();
        services.AddOptions<Compiled.CompiledReadOptions>().BindConfiguration(Compiled.CompiledReadOptions.Section);
        services.AddOptions<GraphQLLimits>().BindConfiguration(GraphQLLimits.Section).ValidateDataAnnotations()
            .Validate(l => l.ExecutionTimeout > TimeSpan.Zero, "GraphQL:Limits:ExecutionTimeout must be positive.").ValidateOnStart();
        services.AddSingleton<IErrorInfoProvider, HubErrorInfoProvider>();
        services.AddSingleton<IGraphQLTextSerializer>(sp => new GraphQLSerializer(sp.GetRequiredService<IErrorInfoProvider>()));
        services.AddSingleton(_ => new TrustedDocumentStore());
        // One plan cache per host: its plans were validated against this host's schemas and limits.
        services.AddSingleton<Compiled.ReadPlanCache>();
        services.AddSingleton<Compiled.SqlitePreparedReads>();
        services.AddSingleton<IDocumentExecuter>(sp => new DocumentExecuter(
            new DepthLimitedDocumentBuilder(sp.GetRequiredService<IOptions<GraphQLLimits>>().Value.MaxParserDepth),
            new DocumentValidator(),
            // Resolvers share the request's DbContext, which is not thread-safe: fields run one after another,
            // and batch loaders keep the statement count per level constant.
            new DefaultExecutionStrategySelector(
            [
                new ExecutionStrategyRegistration(new Compiled.CompiledReadStrategy(sp.GetRequiredService<Compiled.ReadPlanCache>()), OperationType.Query),
                new ExecutionStrategyRegistration(new SerialExecutionStrategy(), OperationType.Mutation),
            ]),
            [new TrustedDocumentHandler(sp.GetRequiredService<TrustedDocumentStore>())]));
        services.AddScoped<GraphQLRequestExecutor>();
        return services;
    }
}
